/**
 * The registry of operations a caller may be blocked on, which `stop()` must release. An
 * intrusive doubly-linked list: adding and removing cost a couple of field writes, where a Set
 * would first have to hash every new operation object (measured: it doubled a trivial call).
 */
export interface PendingLink {
  pendingPrev: PendingLink | undefined;
  pendingNext: PendingLink | undefined;
  isPending: boolean;
}

export class PendingOperations<T extends PendingLink> {
  private head: T | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(item: T): void {
    if (item.isPending) return;
    item.isPending = true;
    item.pendingPrev = undefined;
    item.pendingNext = this.head;
    if (this.head !== undefined) this.head.pendingPrev = item;
    this.head = item;
    this.count += 1;
  }

  delete(item: T): void {
    if (!item.isPending) return;
    item.isPending = false;
    const { pendingPrev: prev, pendingNext: next } = item;
    if (prev === undefined) this.head = next as T | undefined;
    else prev.pendingNext = next;
    if (next !== undefined) next.pendingPrev = prev;
    item.pendingPrev = undefined;
    item.pendingNext = undefined;
    this.count -= 1;
  }

  /** Empties the registry and returns what it held, newest first. */
  takeAll(): T[] {
    const all: T[] = [];
    for (let item = this.head; item !== undefined; item = item.pendingNext as T | undefined) {
      all.push(item);
    }
    for (const item of all) this.delete(item);
    return all;
  }
}
