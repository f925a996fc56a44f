//! Linux device folders.
