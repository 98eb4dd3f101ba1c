; expect: error Einvalid_number
; rom: lorom-1m
; The manual documents canread(pos, num), but asar 1.91 rejects it.
org $008000
	db canread($008000, 16)
