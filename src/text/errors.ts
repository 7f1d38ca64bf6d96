// The base of every error xorlab throws about what it was given: a configuration, a dataset, a parameter file, a
// study, a database, an option. A library caller catches XorlabError (or one of its kinds) and shows the message,
// which is one line that says what is wrong and what is allowed; anything else thrown is a bug. A leaf, so that
// every room can derive its own kind from it.

/** Something xorlab was given is wrong; the message is one line that says what and what is allowed. */
export class XorlabError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    // The subclass's own name (StoreError, StudyError, ...), also in stack traces and util.inspect.
    this.name = new.target.name;
  }
}
