; expect: ok
; Values are truncated to the directive's size and written little-endian.
org $0189AB
Label:
	db $01,$0203,$04050607,Label
	dw $01,$0203,$04050607,Label
	dl $01,$0203,$04050607,Label
	dd $01,$0203,$04050607,Label
