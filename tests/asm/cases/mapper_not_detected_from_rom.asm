; expect: ok
; rom: hirom-1m
; asar 1.91 (command line) does not take the mapper from the ROM header: without a mapper
; command it is LoROM even on a HiROM ROM, so $00:FFD5 reads PC 0x7FD5.
org $008000
	db $AA
org $00FFD5
	db read1($00FFD5)
