// Starts the app: loads the WebAssembly module whose file names trunk put
// on this script's tag. A file rather than trunk's inline loader, so the
// Content-Security-Policy can forbid every inline script.
const tag = document.querySelector('script[data-wasm]');
const { default: init } = await import(tag.dataset.js);
await init({ module_or_path: tag.dataset.wasm });
