/**
 * The plugin's panel in the frame document: draws a validated view tree with DOM APIs only
 * (text through `textContent`, SVG through the sanitiser, never `innerHTML`), hands canvases to
 * the worker as `OffscreenCanvas`, and reports clicks, changes and canvas pointer events.
 * Canvas elements are kept across renders by id, so an `OffscreenCanvas` the worker holds stays
 * on screen when the rest of the view changes.
 */
import { PanelError, type PanelSurface } from './relay.ts';
import { sanitizeSvg } from './svg-sanitiser.ts';
import type { UiEvent, ViewNode } from '../src/protocol.ts';

interface CanvasSlot {
  readonly element: HTMLCanvasElement;
  transferred: boolean;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function labelled(label: string, control: HTMLElement, inline = false): HTMLLabelElement {
  const wrapper = element('label', inline ? 'enclave-field enclave-inline' : 'enclave-field');
  const caption = element('span', 'enclave-label', label);
  if (inline) wrapper.append(control, caption);
  else wrapper.append(caption, control);
  return wrapper;
}

/**
 * A panel drawn into `root`; `emit` receives the user's events for the worker.
 *
 * @example
 * const panel = createPanel(document.body, (event) => worker.postMessage(event));
 * panel.render({ type: 'text', text: 'Hello' });
 */
export function createPanel(root: HTMLElement, emit: (event: UiEvent) => void): PanelSurface {
  const canvases = new Map<string, CanvasSlot>();

  function canvasSlot(id: string): CanvasSlot {
    const existing = canvases.get(id);
    if (existing) return existing;
    const canvas = element('canvas', 'enclave-canvas');
    const pointer = (type: 'down' | 'move' | 'up' | 'leave') => (event: PointerEvent) => {
      const box = canvas.getBoundingClientRect();
      const scaleX = box.width > 0 ? canvas.width / box.width : 1;
      const scaleY = box.height > 0 ? canvas.height / box.height : 1;
      const x = (event.clientX - box.left) * scaleX;
      const y = (event.clientY - box.top) * scaleY;
      emit({ kind: 'event', event: 'ui.pointer', id, type, x, y });
    };
    canvas.addEventListener('pointerdown', pointer('down'));
    canvas.addEventListener('pointermove', pointer('move'));
    canvas.addEventListener('pointerup', pointer('up'));
    canvas.addEventListener('pointerleave', pointer('leave'));
    const slot = { element: canvas, transferred: false };
    canvases.set(id, slot);
    return slot;
  }

  function draw(node: ViewNode, usedCanvases: Set<string>): HTMLElement {
    switch (node.type) {
      case 'stack': {
        const stack = element('div', `enclave-stack enclave-${node.direction ?? 'column'}`);
        if (node.gap !== undefined) stack.style.gap = `${node.gap}px`;
        for (const child of node.children) stack.append(draw(child, usedCanvases));
        return stack;
      }
      case 'text': {
        const style = node.style ?? 'body';
        if (style === 'heading') return element('h2', 'enclave-heading', node.text);
        if (style === 'code') return element('pre', 'enclave-code', node.text);
        const paragraph = element('p', `enclave-text enclave-${style}`, node.text);
        if (style === 'error') paragraph.setAttribute('role', 'alert');
        return paragraph;
      }
      case 'button': {
        const button = element('button', 'enclave-button', node.label);
        button.type = 'button';
        button.disabled = node.disabled ?? false;
        button.addEventListener('click', () =>
          emit({ kind: 'event', event: 'ui.click', id: node.id }),
        );
        return button;
      }
      case 'select': {
        const select = element('select');
        for (const option of node.options) select.append(new Option(option.label, option.value));
        if (node.value !== undefined) select.value = node.value;
        select.addEventListener('change', () =>
          emit({ kind: 'event', event: 'ui.change', id: node.id, value: select.value }),
        );
        return labelled(node.label, select);
      }
      case 'checkbox': {
        const checkbox = element('input');
        checkbox.type = 'checkbox';
        checkbox.checked = node.checked;
        checkbox.addEventListener('change', () =>
          emit({ kind: 'event', event: 'ui.change', id: node.id, value: checkbox.checked }),
        );
        return labelled(node.label, checkbox, true);
      }
      case 'input': {
        const input = element('input', 'enclave-input');
        input.type = node.inputType;
        input.value = node.value;
        input.addEventListener('change', () =>
          emit({ kind: 'event', event: 'ui.change', id: node.id, value: input.value }),
        );
        return labelled(node.label, input);
      }
      case 'table': {
        const wrap = element('div', 'enclave-table-wrap');
        const table = element('table', 'enclave-table');
        const head = element('tr');
        for (const name of node.columns) head.append(element('th', undefined, name));
        table.append(element('thead'), element('tbody'));
        table.tHead!.append(head);
        for (const row of node.rows) {
          const line = element('tr');
          for (const cell of row) {
            const kind =
              cell === null
                ? 'enclave-null'
                : typeof cell === 'number'
                  ? 'enclave-number'
                  : undefined;
            line.append(element('td', kind, cell === null ? '' : String(cell)));
          }
          table.tBodies[0]!.append(line);
        }
        wrap.append(table);
        return wrap;
      }
      case 'progress': {
        const progress = element('progress', 'enclave-progress');
        progress.max = node.max;
        progress.value = Math.min(node.value, node.max);
        return progress;
      }
      case 'svg': {
        const figure = element('div', 'enclave-svg');
        figure.append(sanitizeSvg(node.markup));
        return figure;
      }
      case 'canvas': {
        if (usedCanvases.has(node.id)) {
          throw new PanelError('invalid_params', `two canvas nodes have the id "${node.id}"`);
        }
        usedCanvases.add(node.id);
        return canvasSlot(node.id).element;
      }
    }
  }

  const main = element('main', 'enclave-panel');
  root.replaceChildren(main);

  return {
    render(view) {
      const usedCanvases = new Set<string>();
      const content = draw(view, usedCanvases);
      for (const id of canvases.keys()) if (!usedCanvases.has(id)) canvases.delete(id);
      main.replaceChildren(content);
    },
    canvas(id, width, height) {
      const slot = canvases.get(id);
      if (!slot) throw new PanelError('invalid_params', `no canvas node "${id}" is rendered`);
      if (slot.transferred) {
        throw new PanelError('invalid_params', `the canvas "${id}" was already handed over`);
      }
      slot.element.width = width;
      slot.element.height = height;
      const offscreen = slot.element.transferControlToOffscreen();
      slot.transferred = true;
      return offscreen;
    },
  };
}
