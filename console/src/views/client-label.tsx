import { useEffect, useState } from 'preact/hooks';
import { useServices } from '../context.js';

/** A client's name with its id, or its id alone when the name cannot be read (no read:clients). */
export function ClientLabel({ clientId }: { clientId: string }) {
  const { clientNames } = useServices();
  const [, bump] = useState(0);
  useEffect(() => clientNames.subscribe(() => bump((n) => n + 1)), [clientNames]);
  const name = clientNames.name(clientId);
  if (!name || name === clientId) return <span class="client">{clientId}</span>;
  return (
    <span class="client">
      {name} <span class="muted">({clientId})</span>
    </span>
  );
}

/** The same as text, for confirmations. */
export function useClientText(): (clientId: string) => string {
  const { clientNames } = useServices();
  return (id) => {
    const name = clientNames.name(id);
    return name && name !== id ? `${name} (${id})` : id;
  };
}
