import type { EventSink, SecurityEvent } from '../core/events.js';

/** Delivers each event to several sinks; one failing sink never stops the others or the request. */
export function fanOut(sinks: readonly EventSink[], onError: (err: unknown) => void = () => {}): EventSink {
  return {
    emit(event: SecurityEvent) {
      for (const sink of sinks) {
        try {
          sink.emit(event);
        } catch (err) {
          onError(err);
        }
      }
    },
  };
}
