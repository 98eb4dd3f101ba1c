; expect: error Eautoclean_label_at_freespace_end
; rom: lorom-1m
org $008000
	autoclean dl End
freedata
	db 1,2,3
End:
