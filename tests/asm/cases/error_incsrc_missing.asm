; expect: error Efile_not_found
incsrc "missing.asm"
