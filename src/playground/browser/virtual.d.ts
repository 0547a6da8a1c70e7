declare module 'virtual:playground-examples' {
  const examples: unknown;
  export default examples;
}
