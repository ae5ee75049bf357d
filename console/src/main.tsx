import { render } from 'preact';
import { App } from './app.js';
import { Auth } from './api/auth.js';
import { ManagementApi } from './api/management-api.js';
import { ServicesContext } from './context.js';
import { ClientNames } from './model/client-names.js';
import './app.css';

const auth = new Auth();
const api = new ManagementApi(auth);
const clientNames = new ClientNames(auth, api);

render(
  <ServicesContext.Provider value={{ auth, api, clientNames }}>
    <App />
  </ServicesContext.Provider>,
  document.getElementById('app')!,
);
