/** Entry point of the SPA: styles, the React root, and the service worker. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.tsx';
import { registerServiceWorker } from './offline/register-service-worker.ts';
import './styles/app.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html lacks the #root element.');

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
registerServiceWorker();
