/** Port of clients-service when neither PORT nor the config file names one. */
export const DEFAULT_PORT = 4445;
