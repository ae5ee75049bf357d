import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Auth } from './api/auth.js';
import type { ManagementApi } from './api/management-api.js';
import type { ClientNames } from './model/client-names.js';

export interface Services {
  auth: Auth;
  api: ManagementApi;
  clientNames: ClientNames;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('useServices outside ServicesContext');
  return s;
}
