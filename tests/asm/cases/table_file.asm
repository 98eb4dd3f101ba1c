; expect: ok
; warnings: Wfeature_deprecated
; The deprecated table command reads left-to-right or right-to-left table files.
org $008000
	db "ABC"
table "table_file/ltr.tbl"
	db "ABC"
table "table_file/rtl.tbl",rtl
	db "ABC"
cleartable
	db "ABC"
