; expect: ok
org $008000
incsrc "includeonce/shared.asm"
incsrc "includeonce/shared.asm"
	jsl SharedRoutine
