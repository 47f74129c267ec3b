/**
 * The engine worker's entry: it serves a fresh engine to the page that started it. Kept thin on
 * purpose; everything it does is in `engine.ts`, which imports nothing from the app.
 */
import { exposeEngine } from './comlink/index.ts';
import { createEngine } from './engine.ts';

exposeEngine(createEngine());
