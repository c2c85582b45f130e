// Electron's preload puts the API on window.aez; in a plain browser the page talks to `aez serve` with
// the token from its own address.
import type { AezApi } from '../../../electron/shared/api.js';
import { createHttpApi } from './http-api.js';

declare global {
  interface Window {
    aez?: AezApi;
  }
}

export function connectApi(): AezApi | undefined {
  if (window.aez) return window.aez;
  const token = new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem('aez-token');
  if (!token) return undefined;
  sessionStorage.setItem('aez-token', token);
  return createHttpApi(token);
}
