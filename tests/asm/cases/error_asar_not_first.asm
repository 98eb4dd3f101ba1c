; expect: error Estart_of_file
org $008000
asar 1.90
