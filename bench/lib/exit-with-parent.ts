// Preloaded (node --import) into every process the harness starts: when the harness goes away, however it dies,
// the IPC channel closes and this process ends too. The channel is unref'd so it never keeps the process alive.
if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
export {};
