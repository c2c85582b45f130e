// Entry: pick the AezApi implementation for this host, then mount the app.
import { mount } from 'svelte';
import App from './App.svelte';
import { connectApi } from './lib/connect.js';
import './app.css';

const target = document.getElementById('app')!;
const api = connectApi();
if (api) {
  mount(App, { target, props: { api } });
} else {
  target.textContent = 'AEZ could not find its host. Open the address that "aez serve" printed, including its ?token=… part.';
  target.className = 'fatal';
}
