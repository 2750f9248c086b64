import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
// One stylesheet per area, all loaded with the shell in this order (the cascade depends on it): the
// whole app's CSS is under 5 kB gzipped, so splitting it by page would save nothing worth a flash.
import './styles/base.css';
import './styles/account.css';
import './styles/run.css';
import './styles/storefront.css';
import './styles/studio.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
