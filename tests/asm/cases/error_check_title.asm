; expect: error Erom_title_incorrect
; rom: lorom-1m
check title "SUPER MARIOWORLD     "
org $008000
	nop
