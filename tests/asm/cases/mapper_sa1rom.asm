; expect: ok
; SA-1 with the default bank layout 0,1,2,3: $C0-$FF are the HiROM-style view.
sa1rom
org $008000
	db $41
org $208000
	db $42
org $C00010
	db $43
org $D00020
	db $44
