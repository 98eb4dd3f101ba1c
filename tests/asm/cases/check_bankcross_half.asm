; expect: error Ebank_border_crossed
; "half" also checks $7FFF -> $8000, which matters for HiROM banks.
hirom
check bankcross half
org $C07FFE
	db 1,2,3
