; expect: error Epullwarnings_without_pushwarnings
warnings pull
