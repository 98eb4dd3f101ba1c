; expect: ok
; warnings: Wwarn_command
org $008000
warnings push
warnings disable Wwarn_command
warn "hidden"
warnings pull
warn "visible"
	nop
