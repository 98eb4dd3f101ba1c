; expect: ok
; When the output grows past its end, every gap (after org or skip) is filled with the
; freespace byte: $00 unless freespacebyte changed it.
freespacebyte $FF
org $008000
	db $01
	skip 2
	db $02
org $008010
	db $03
