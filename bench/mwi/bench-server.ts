/** What the MWI benchmark needs from a server under test (openum or Kamailio). */
export interface BenchServer {
  readonly name: string;
  readonly pid: number;
  /** '127.0.0.1:PORT' (UDP) */
  readonly target: string;
  /** true: SUBSCRIBE is digest-challenged (openum), false: accepted as is (the anchor's Kamailio) */
  readonly authenticates: boolean;
  /** what memoryBytes measures */
  readonly memoryLabel: string;
  /** the memory figure per the brief: openum VmRSS, Kamailio shm in use */
  memoryBytes(): Promise<number>;
  /**
   * openum only: force a full GC (inspector), then read VmRSS and the JS heap
   * in use. Absent for Kamailio, whose shm figure needs no such care.
   */
  gcAndMeasure?(): Promise<{ rss: number; heapUsed: number }>;
  /** utime+stime of the server's process tree, seconds */
  cpuSeconds(): Promise<number>;
  /** last lines of its log, for failures */
  logTail(): string;
  /** ERROR lines logged so far */
  errorCount(): number;
  stop(): Promise<void>;
}
