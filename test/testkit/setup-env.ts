// Quiet logs in tests; unexpected errors are still printed.
process.env.NODE_ENV = 'test';
