/**
 * The answer of one `ConsumeTx.seen` call, shared by the log engines. The identities the call
 * could not claim are always in it. Callers pass each identity once per call; should one pass an
 * identity twice (`repeated`) and ask `has` once per entry in order, the first copy is claimed
 * (`has` is false: handle it) and the later copies are seen (`has` is true: skip them).
 */
export class SeenCopies extends Set<string> {
  constructor(private readonly repeated: Set<string>) {
    super();
  }

  override has(identity: string): boolean {
    if (super.has(identity)) return true;
    if (this.repeated.delete(identity)) super.add(identity);
    return false;
  }
}
