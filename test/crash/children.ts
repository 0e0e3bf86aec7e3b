import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A child process of a crash test, started with `node --import tsx <script>`: its stdout JSON
 * lines, the tail of its stderr (shown when a test fails), and how it ended.
 */
export class Child {
  readonly messages: Record<string, unknown>[] = [];
  stderr = '';
  exit: Exit | undefined;
  readonly exited: Promise<Exit>;
  private readonly process: ChildProcess;
  private waiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string>,
  ) {
    this.process = spawn(process.execPath, ['--import', 'tsx', `test/crash/${script}`], {
      cwd: ROOT,
      env: { ...process.env, ...env, CRASH_NAME: name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.process.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          this.messages.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.stderr += `[stdout] ${line}\n`;
        }
      }
      this.notify();
    });
    this.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-20_000);
    });
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        this.exit = { code, signal };
        this.notify();
        resolve(this.exit);
      });
    });
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  get pid(): number {
    return this.process.pid!;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** The last message that has `field`. */
  last(field: string): Record<string, unknown> | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) if (field in this.messages[i]!) return this.messages[i];
    return undefined;
  }

  /** Resolves with the first message satisfying `match`; rejects if the process ends first or after `timeoutMs`. */
  async waitFor(match: (m: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.exit) throw new Error(`${this.name} ended (${JSON.stringify(this.exit)}) before ${what}\n${this.stderrTail()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no ${what} within ${timeoutMs} ms\n${this.stderrTail()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.process.kill(signal);
  }

  /** SIGKILL, then waits until the process is gone. */
  async kill(): Promise<Exit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  stderrTail(): string {
    return `--- ${this.name} stderr (tail) ---\n${this.stderr.slice(-3000)}`;
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

const running = new Set<Child>();

/** SIGKILLs every child still running (for afterAll) and waits for them to end. */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...running].map((c) => c.kill()));
}

/** Polls `check` until it returns a value other than undefined; throws `describe()` after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, describe: () => string | Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(await describe());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
