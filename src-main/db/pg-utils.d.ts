// pg's helpers for spelling values as the server reads them (the driver's own parameter encoding).
declare module 'pg/lib/utils.js' {
  const utils: {
    prepareValue(value: unknown): string | Buffer | null
    escapeLiteral(text: string): string
  }
  export default utils
}
