; expect: ok
; rom: lorom-1m
; read1..read4 read the ROM as it was before this patch.
org $008000
	db read1($00FFD5)
	dw read2($00FFDC)
	dl read3($00FFE0+$1C)
	dd read4($008000)
	db read1($7E0000, $EE)
org $008000
	db $42
	db read1($008000)
