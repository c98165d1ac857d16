"""The language of every sentence a person reads: the catalogue (`_`, `ngettext`, `N_`) and the
`Sentence` value that is English where recorded and translated where shown.

The bottom of the tree: it imports nothing else of supporttray (and no Qt), so every layer may
use it, config/ too, whose validation and keyring sentences a window shows.
"""
