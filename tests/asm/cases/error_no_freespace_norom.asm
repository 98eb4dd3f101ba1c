; expect: error Eno_freespace_norom
; warnings: Wmissing_org
; rom: lorom-1m
norom
freecode
Code:
	rtl
