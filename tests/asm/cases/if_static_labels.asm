; expect: ok
; Labels set with = are static and may be used in conditions.
Routine = $0DA000
org $008000
if Routine >= $0D0000
	jsl Routine
endif
