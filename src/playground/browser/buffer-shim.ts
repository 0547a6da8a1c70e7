// The admission helpers encode patches with Node's Buffer; in the page it comes from the `buffer` package.
import { Buffer } from 'buffer';

export { Buffer };
