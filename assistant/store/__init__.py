"""The index on disk: its folder, manifest, dense and lexical sides, passage table, and the build."""
