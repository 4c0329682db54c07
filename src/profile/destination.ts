/**
 * Destinations as ssh(1) takes them: which host names and user names it refuses before connecting
 * (the checks live in the config layer, which command-line jump hops need too).
 */
export { isValidHostname, isValidRemoteUser } from '../config/destination-names.js';
