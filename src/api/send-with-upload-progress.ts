/**
 * Sends a request and reports how much of its body has gone out: `fetch` cannot tell, so this
 * sends through XMLHttpRequest and answers with a `Response` like `fetch` would (a network failure
 * rejects with a TypeError, as `fetch` does).
 */

/** How far an upload has got, in bytes. */
export interface UploadProgress {
  sent: number;
  total: number;
}

/** Reads XMLHttpRequest's raw header block into `Headers`. */
export function parseResponseHeaders(raw: string): Headers {
  const headers = new Headers();
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const separator = line.indexOf(':');
    if (separator <= 0) continue;
    headers.append(line.slice(0, separator).trim(), line.slice(separator + 1).trim());
  }
  return headers;
}

/**
 * @example
 * const response = await sendWithUploadProgress(request, ({ sent, total }) => show(sent / total));
 */
export async function sendWithUploadProgress(
  request: Request,
  onProgress: (progress: UploadProgress) => void,
): Promise<Response> {
  const body = await request.blob();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(request.method, request.url);
    xhr.responseType = 'blob';
    request.headers.forEach((value, name) => xhr.setRequestHeader(name, value));
    xhr.upload.onprogress = (event) => {
      onProgress({ sent: event.loaded, total: event.lengthComputable ? event.total : body.size });
    };
    xhr.onload = () => {
      resolve(
        new Response(xhr.response as Blob, {
          status: xhr.status,
          statusText: xhr.statusText,
          headers: parseResponseHeaders(xhr.getAllResponseHeaders()),
        }),
      );
    };
    xhr.onerror = () => reject(new TypeError('The upload failed: no answer from the server.'));
    xhr.onabort = () => reject(new TypeError('The upload was cancelled.'));
    xhr.send(body);
  });
}
