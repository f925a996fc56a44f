//! APKeep Stanford network (placeholder, filled in below).
