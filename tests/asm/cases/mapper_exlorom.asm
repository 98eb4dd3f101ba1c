; expect: ok
; ExLoROM: banks $80-$FF map the first 4 MiB, banks $00-$7D the second 4 MiB.
exlorom
org $808000
	db $21
org $818000
	db $22
org $008000
	db $23
