"""SQL of the directory: one async function per statement, `$n` parameters, a connection in."""
