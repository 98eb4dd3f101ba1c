; expect: ok
; warnings disable turns a warning off; enable turns it back on.
org $008000
warnings disable Wwarn_command
warn "this one is hidden"
warnings enable Wwarn_command
	nop
