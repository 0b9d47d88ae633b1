/**
 * The web-session pattern: one request starts work in the background and keeps only small ids
 * (what a web application would put in the user's session); later requests retrieve the results
 * by id, wait a bounded time for them, cancel one, and put back one that is not ready yet.
 *
 * The "requests" here are plain synchronous functions called one after the other; in a web
 * application they would be separate HTTP requests handled by synchronous handlers.
 *
 * Run: npm run sample -- downloads
 */
import { facade, retrieveResult, setup, TimeoutError, type EventualResult } from 'crochet';
import { Downloader, type Download } from './downloader';
import { FileServer } from './file-server';

class LocalFileServer extends facade(FileServer, { timeoutMs: 2_000 }) {}

/** What the web application keeps between requests: result ids by download name. */
type Session = Map<string, number>;

const files: Record<string, string> = {
  report: '/files/report.csv?bytes=2048&delayMs=50',
  photo: '/files/photo.jpg?bytes=65536&delayMs=150',
  archive: '/files/archive.zip?bytes=1048576&delayMs=5000',
  'slow-video': '/files/video.mp4?bytes=262144&delayMs=1200',
};

function elapsed(): string {
  return `[${String(Math.round(performance.now() - startedAt)).padStart(4)} ms]`;
}

function resultOf(session: Session, name: string): EventualResult<Download> {
  const id = session.get(name);
  if (id === undefined) throw new Error(`no download named ${name} in the session`);
  session.delete(name);
  // The application knows what it stashed under this id, and says so.
  return retrieveResult<Download>(id);
}

function summary(download: Download): string {
  return `${download.bytes} bytes, sha256 ${download.sha256}…`;
}

/** Request 1: start every download, keep only ids. */
function startDownloads(downloader: Downloader, session: Session): void {
  for (const [name, path] of Object.entries(files)) {
    const id = downloader.download(path).stash();
    session.set(name, id);
    console.log(`${elapsed()} request 1: started ${name}, stashed as result #${id}`);
  }
}

/** Show what is ready within `waitMs`; stash again what is not. */
function collect(session: Session, waitMs: number, request: number): void {
  for (const name of [...session.keys()]) {
    const result = resultOf(session, name);
    try {
      const download = result.wait(waitMs);
      console.log(`${elapsed()} request ${request}: ${name} done: ${summary(download)}`);
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      const id = result.stash();
      session.set(name, id);
      console.log(
        `${elapsed()} request ${request}: ${name} not ready within ${waitMs} ms ` +
          `(TimeoutError); stashed again as result #${id}`,
      );
    }
  }
}

/** The user cancels one download: the transfer itself is aborted. */
function cancelDownload(session: Session, name: string, request: number): void {
  const result = resultOf(session, name);
  result.cancel();
  try {
    result.wait(1_000);
    console.log(`${elapsed()} request ${request}: ${name} finished before the cancel arrived`);
  } catch (error) {
    // CancelledError: cancel() ends the result at once, whatever the transfer does next.
    const reason = error instanceof Error ? error.name : String(error);
    console.log(`${elapsed()} request ${request}: ${name} cancelled (${reason})`);
  }
}

// The application: synchronous code.
setup();
const startedAt = performance.now();

const server = new LocalFileServer(new FileServer());
const downloader = new Downloader(server.listen());
const session: Session = new Map();

startDownloads(downloader, session); // request 1
collect(session, 300, 2);
cancelDownload(session, 'archive', 3);
collect(session, 3_000, 4);

console.log(`${elapsed()} server saw the client hang up on: ${server.abandoned().join(', ')}`);
server.close();
