/** A connection string with its password (and password-like parameters) replaced by `***`. */
export function maskConnectionString(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    // key=value form: password=... and friends
    return value.replace(/\b((?:ssl)?password|secret|token)\s*=\s*('[^']*'|\S+)/gi, '$1=***');
  }
}
