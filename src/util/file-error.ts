// An error about one file: its message starts with the file's path, so a user sees at once which
// of many inputs is at fault.
export class FileError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = new.target.name;
  }
}
