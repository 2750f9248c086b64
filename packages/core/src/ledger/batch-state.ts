import type { Account, Hold, Operation, Transfer } from './types.ts';

/**
 * The slice of the ledger one batch works on: the accounts, holds and operations its commands touch,
 * loaded (and locked) by the store. Commands change it in memory; the store then writes what changed
 * in a few set-based statements. Every change goes through an undo log so that a linked unit that
 * fails part-way leaves no trace.
 */
export class BatchState {
  readonly accounts: Map<string, Account>;
  readonly holds: Map<string, Hold>;
  readonly operations: Map<string, Operation>;
  readonly newOperations: Operation[] = [];
  readonly newTransfers: Transfer[] = [];
  /** Holds created in this batch (inserted), as opposed to existing ones that changed (updated). */
  readonly newHoldIds = new Set<string>();
  readonly changedHoldIds = new Set<string>();
  readonly changedAccountIds = new Set<string>();
  readonly #undo: (() => void)[] = [];

  constructor(accounts: Iterable<Account>, holds: Iterable<Hold>, operations: Iterable<Operation>) {
    this.accounts = new Map([...accounts].map((a) => [a.id, a]));
    this.holds = new Map([...holds].map((h) => [h.id, h]));
    this.operations = new Map([...operations].map((o) => [o.id, o]));
  }

  setAccount(account: Account): void {
    const previous = this.accounts.get(account.id);
    this.accounts.set(account.id, account);
    this.#undo.push(() =>
      previous ? this.accounts.set(account.id, previous) : this.accounts.delete(account.id),
    );
    this.#addTo(this.changedAccountIds, account.id);
  }

  insertHold(hold: Hold): void {
    this.holds.set(hold.id, hold);
    this.#undo.push(() => this.holds.delete(hold.id));
    this.#addTo(this.newHoldIds, hold.id);
  }

  updateHold(hold: Hold): void {
    const previous = this.holds.get(hold.id);
    this.holds.set(hold.id, hold);
    this.#undo.push(() => (previous ? this.holds.set(hold.id, previous) : this.holds.delete(hold.id)));
    if (!this.newHoldIds.has(hold.id)) this.#addTo(this.changedHoldIds, hold.id);
  }

  addOperation(operation: Operation): void {
    this.operations.set(operation.id, operation);
    this.newOperations.push(operation);
    this.#undo.push(() => {
      this.operations.delete(operation.id);
      this.newOperations.pop();
    });
  }

  addTransfer(transfer: Transfer): void {
    this.newTransfers.push(transfer);
    this.#undo.push(() => this.newTransfers.pop());
  }

  checkpoint(): number {
    return this.#undo.length;
  }

  rollback(checkpoint: number): void {
    while (this.#undo.length > checkpoint) this.#undo.pop()!();
  }

  #addTo(set: Set<string>, key: string): void {
    if (set.has(key)) return;
    set.add(key);
    this.#undo.push(() => set.delete(key));
  }
}
