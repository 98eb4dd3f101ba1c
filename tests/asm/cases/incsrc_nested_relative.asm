; expect: ok
org $008000
incsrc "incsrc_nested_relative/lib/a.asm"
	db !from_b+1
