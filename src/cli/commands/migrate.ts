/** `qhft migrate`: placeholder until its issue lands (tracked in the issues). */
export async function command(_argv: string[]): Promise<number> {
  process.stderr.write('qhft migrate: not implemented yet\n');
  return 2;
}
